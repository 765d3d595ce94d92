"""Figures a physicist reads: matplotlib, off-screen, one module per figure family.

* :mod:`~fpgaflow.figures.canvas` — the one way a figure is made (Agg, house style) and saved (atomic PNG)
  or embedded (PNG bytes for a self-contained HTML report);
* :mod:`~fpgaflow.figures.hitmaps` — hit maps in millimetres at their true aspect, charge colour bar in ADC
  counts and ke⁻, empty pixels left blank; galleries per class with each map's label and score;
* :mod:`~fpgaflow.figures.histograms` — per-class distributions (``hist`` binning, ``mplhep`` drawing) with
  units, counts or density said, log scale where the tails matter;
* :mod:`~fpgaflow.figures.curves` — training curves (loss and accuracy per epoch);
* :mod:`~fpgaflow.figures.roc` — ROC with its AUC, background rejection against signal efficiency, the
  baselines' working points on the same axes;
* :mod:`~fpgaflow.figures.confusion` — confusion matrix, counts and row fractions, readable contrast;
* :mod:`~fpgaflow.figures.resources` — resources against a board budget with the estimate's error bars;
* :mod:`~fpgaflow.figures.tradeoff` — a design search: LUTs against throughput, accuracy as colour;
* :mod:`~fpgaflow.figures.study` — a training study's accuracies per variant against the no-augmentation line.

The functions take numbers, not stage objects, so every stage can draw with them; matplotlib (the ``host``
extra) is imported on first use.
"""
