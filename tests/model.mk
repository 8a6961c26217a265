# tests/model.mk -- tests for model/.
