# tests/sim.mk -- tests for sim/.
