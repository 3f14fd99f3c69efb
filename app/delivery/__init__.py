"""After the letter (issue 15): delivering a final letter, recording the answer, keeping the
coalition informed, the public timeline, and the follow-up letter."""
