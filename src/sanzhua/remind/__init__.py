"""Reminders to units before and after their deadlines (`sanzhua remind`): the messages,
the channels that send them (mail, a webhook), and the record of what was sent."""
