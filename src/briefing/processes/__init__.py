"""Process boundaries, all in one place: forked render workers and the lean binding interpreter."""
