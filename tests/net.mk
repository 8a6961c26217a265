# tests/net.mk -- tests for net/.
