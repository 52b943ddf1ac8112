"""The dashboard site: one static page (Chinese first, English beside) built from metrics.*."""
