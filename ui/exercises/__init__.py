"""The Exercises page: students write a backward pass (or an optimizer step) and get graded at
once by ``nnlib.exercises``. ``policy`` decides whether student code may run here; ``editor``
is the code editor; ``panel`` draws one exercise; ``verdict_view`` draws the grader's answer."""
