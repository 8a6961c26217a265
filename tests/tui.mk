# tests/tui.mk -- tests for tui/.
