# doc/local.mk -- the licence and a commented example configuration, installed under docdir.
examplesdir = $(docdir)/examples
dist_examples_DATA = doc/batchtop.conf.example
EXTRA_DIST += LICENSE
