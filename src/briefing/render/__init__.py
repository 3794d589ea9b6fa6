"""A sponsor as HTML: templates, their context, anchors, outline, colours and charts."""
