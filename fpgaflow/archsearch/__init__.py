"""Architecture search (``fpgaflow search``): candidate models around a run's, each trained briefly
(:mod:`fpgaflow.train`), fitted to the board (:mod:`fpgaflow.fit`: the estimate against the budget, the bit-exact
emulator's accuracy) and ranked.  It sits above both: training knows nothing of the board, fit nothing of training.

* :mod:`~fpgaflow.archsearch.config` — ``ArchSearchConfig``, the space and the brief training;
* :mod:`~fpgaflow.archsearch.candidates` — the base and the base with one axis changed per listed value;
* :mod:`~fpgaflow.archsearch.search_architectures` — train, fit, rank;
* :mod:`~fpgaflow.archsearch.report` — ``search.md``, ``search.json``, ``search_pareto.png``.
"""
