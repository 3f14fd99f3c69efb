"""Inviting partner organizations: bulk invitations, personal links, tracking, reminders,
the deadline, and each lead organization's address book of partners."""
