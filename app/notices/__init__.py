"""What the lead hears about: sign-ons awaiting a decision, notes, declines, withdrawals,
listings to re-approve, bounced invitations and a deadline two days away.

Notices are read from the audit trail (every operation already writes one event), so no
feature calls this package: `flask notices send-due` finds the new events since each
member's watermark and sends them at once or in an hourly or daily digest, as each member
chose (`preferences.py`).
"""
