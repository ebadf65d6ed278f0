"""医保通: shared settings and the `yibao` command line that ties the parts together."""
