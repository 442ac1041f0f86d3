"""Voice: the companion heard and spoken, a pipeline of stages from microphone to speaker."""
