"""Government offices (OPD) buying through Peken: purchase requests, approval, taxes (issue 12)."""
