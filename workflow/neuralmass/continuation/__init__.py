"""Numerical continuation of the homogeneous states (issue #3).

- `system`: a vector field with parameters (a model's self-coupled node, or
  plain numpy callables);
- `core`: pseudo-arclength continuation of F(z) = 0 with step control and
  location of zeros of test functions;
- `equilibria`: branches of equilibria with LP, HB and BP points;
- `defining`: defining systems of folds and Hopf points;
- `normal_forms`: first Lyapunov coefficient and the fold coefficient;
- `cycles`: limit cycles by orthogonal collocation, Floquet multipliers, LPC,
  PD and NS points;
- `two_parameter`: fold and Hopf curves with BT, CP and GH points;
- `cycle_curves`: fold-of-cycles (LPC) and period-doubling (PD) curves by
  minimally augmented systems on the collocation discretisation;
- `stage`: the pipeline stage (tables of branches and special points).
"""
