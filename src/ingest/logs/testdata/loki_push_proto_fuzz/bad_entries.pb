
c
	{app="x"}
bad Ã(
ÿÿÿÿÿÿÿÿÿneg
…ú…®"overflow
x
trace_idabcc