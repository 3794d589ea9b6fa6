"""What each PDF is made of: a sponsor's chapter, the sponsor PDF, the book, page stamps, attachments, preflight."""
