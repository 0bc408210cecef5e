"""2nd-generation resident ID card reader: GA 467 SAM serial protocol (research/protocols.md §2)."""
