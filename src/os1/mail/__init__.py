"""Mail: IMAP sync into a local index, triage, clean-up with undo, proofreading and sending."""
