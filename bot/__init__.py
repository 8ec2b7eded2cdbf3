"""The Slack adapter: the /nrr command, App Home, digests and alerts in channels."""
