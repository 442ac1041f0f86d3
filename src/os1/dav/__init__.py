"""Calendar (CalDAV, .ics) and contacts (CardDAV, vCard)."""
