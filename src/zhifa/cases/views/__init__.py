"""The case screens (issue 4 §4): lists and to-dos (``lists``), the case page, its actions and new cases
(``case``). Every write goes through ``zhifa.cases.services``."""
