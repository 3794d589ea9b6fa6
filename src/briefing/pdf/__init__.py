"""PDF in and out, with no sponsor in sight.

HTML to tagged PDF, the safe fetcher, structure-preserving merge and binding.
"""
