package dev.gecko4j.core.eval;

/**
 * Unconstrained L-BFGS as scipy's {@code minimize(method="L-BFGS-B")} runs it without bounds (the
 * solver scikit-learn's {@code LogisticRegression(solver="lbfgs")} calls): memory 10, first step
 * {@code 1/||g||} along {@code -g}, later steps from 1, the More-Thuente line search of MINPACK-2
 * ({@code dcsrch}: ftol 1e-3, gtol 0.9, xtol 0.1) limited to {@code maxls} evaluations, a pair
 * skipped when {@code s'y <= eps * (-g'd)}, and scipy's stopping rules: the projected gradient's
 * largest magnitude at most {@code gtol}, the relative decrease of f at most {@code ftol}, or
 * {@code maxIter} iterations.
 */
final class Lbfgs {

  /** The function to minimise: writes the gradient at {@code x} into {@code grad}, returns f. */
  interface Objective {
    double evaluate(double[] x, double[] grad);
  }

  /** What a run did. */
  record Outcome(double f, int iterations, int evaluations, boolean converged) {}

  private static final double EPS = Math.ulp(1.0);
  private final int memory;
  private final int maxIter;
  private final int maxLineSearch;
  private final double gtol;
  private final double ftol;

  Lbfgs(int memory, int maxIter, int maxLineSearch, double gtol, double ftol) {
    this.memory = memory;
    this.maxIter = maxIter;
    this.maxLineSearch = maxLineSearch;
    this.gtol = gtol;
    this.ftol = ftol;
  }

  /** Minimises {@code fn} from {@code x} (updated in place). */
  Outcome minimize(Objective fn, double[] x) {
    int n = x.length;
    double[] g = new double[n];
    double f = fn.evaluate(x, g);
    int evaluations = 1;
    if (maxAbs(g) <= gtol) {
      return new Outcome(f, 0, evaluations, true);
    }
    double[][] s = new double[memory][];
    double[][] y = new double[memory][];
    double[] rho = new double[memory];
    int stored = 0;
    int head = 0;
    double[] d = new double[n];
    double[] x0 = new double[n];
    double[] g0 = new double[n];
    double[] alpha = new double[memory];
    int iter = 0;
    while (true) {
      // d = -H g (two-loop recursion)
      for (int i = 0; i < n; i++) {
        d[i] = -g[i];
      }
      for (int k = 0; k < stored; k++) {
        int idx = Math.floorMod(head - 1 - k, memory);
        alpha[idx] = rho[idx] * dot(s[idx], d);
        axpy(-alpha[idx], y[idx], d);
      }
      if (stored > 0) {
        int last = Math.floorMod(head - 1, memory);
        double gamma = dot(s[last], y[last]) / dot(y[last], y[last]);
        for (int i = 0; i < n; i++) {
          d[i] *= gamma;
        }
      }
      for (int k = stored - 1; k >= 0; k--) {
        int idx = Math.floorMod(head - 1 - k, memory);
        double beta = rho[idx] * dot(y[idx], d);
        axpy(alpha[idx] - beta, s[idx], d);
      }
      double gd = dot(g, d);
      if (gd >= 0) {
        // not a descent direction: restart from steepest descent
        stored = 0;
        for (int i = 0; i < n; i++) {
          d[i] = -g[i];
        }
        gd = dot(g, d);
      }
      double stp = iter == 0 && stored == 0 ? Math.min(1.0 / Math.sqrt(dot(d, d)), 1e10) : 1.0;
      System.arraycopy(x, 0, x0, 0, n);
      System.arraycopy(g, 0, g0, 0, n);
      double f0 = f;
      LineSearch ls = new LineSearch(f0, gd, stp, 1e10);
      int lsEvals = 0;
      while (true) {
        for (int i = 0; i < n; i++) {
          x[i] = x0[i] + ls.stp * d[i];
        }
        f = fn.evaluate(x, g);
        evaluations++;
        lsEvals++;
        boolean done = ls.step(f, dot(g, d));
        if (done) {
          break;
        }
        if (lsEvals >= maxLineSearch) {
          // scipy restores the previous iterate and stops (ABNORMAL_TERMINATION_IN_LNSRCH)
          System.arraycopy(x0, 0, x, 0, n);
          System.arraycopy(g0, 0, g, 0, n);
          return new Outcome(f0, iter, evaluations, false);
        }
      }
      iter++;
      if (maxAbs(g) <= gtol) {
        return new Outcome(f, iter, evaluations, true);
      }
      if (f0 - f <= ftol * Math.max(Math.max(Math.abs(f0), Math.abs(f)), 1.0)) {
        return new Outcome(f, iter, evaluations, true);
      }
      if (iter >= maxIter) {
        return new Outcome(f, iter, evaluations, false);
      }
      double[] sk = new double[n];
      double[] yk = new double[n];
      for (int i = 0; i < n; i++) {
        sk[i] = x[i] - x0[i];
        yk[i] = g[i] - g0[i];
      }
      double sy = dot(sk, yk);
      if (sy > EPS * (-gd * ls.stp)) {
        s[head] = sk;
        y[head] = yk;
        rho[head] = 1.0 / sy;
        head = (head + 1) % memory;
        stored = Math.min(stored + 1, memory);
      }
    }
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += a * x[i];
    }
  }

  private static double maxAbs(double[] v) {
    double m = 0;
    for (double e : v) {
      m = Math.max(m, Math.abs(e));
    }
    return m;
  }

  /** MINPACK-2's {@code dcsrch} as a state machine: {@link #step} takes f and g'd at stp. */
  static final class LineSearch {
    private static final double FTOL = 1e-3;
    private static final double GTOL = 0.9;
    private static final double XTOL = 0.1;
    private static final double XTRAPL = 1.1;
    private static final double XTRAPU = 4.0;
    private final double stpmin = 0;
    private final double stpmax;
    private final double finit;
    private final double ginit;
    private final double gtest;
    double stp;
    private boolean brackt;
    private int stage = 1;
    private double width;
    private double width1;
    private double stx;
    private double fx;
    private double gx;
    private double sty;
    private double fy;
    private double gy;
    private double stmin;
    private double stmax;

    LineSearch(double f, double g, double stp, double stpmax) {
      this.stpmax = stpmax;
      this.finit = f;
      this.ginit = g;
      this.gtest = FTOL * g;
      this.stp = stp;
      this.width = stpmax - stpmin;
      this.width1 = width / 0.5;
      this.stx = 0;
      this.fx = f;
      this.gx = g;
      this.sty = 0;
      this.fy = f;
      this.gy = g;
      this.stmin = 0;
      this.stmax = stp + XTRAPU * stp;
    }

    /** Takes f and g'd at {@link #stp}; returns true when the search ends there. */
    boolean step(double f, double g) {
      double ftest = finit + stp * gtest;
      if (stage == 1 && f <= ftest && g >= 0) {
        stage = 2;
      }
      if (brackt && (stp <= stmin || stp >= stmax)) {
        return true;
      }
      if (brackt && stmax - stmin <= XTOL * stmax) {
        return true;
      }
      if (stp == stpmax && f <= ftest && g <= gtest) {
        return true;
      }
      if (stp == stpmin && (f > ftest || g >= gtest)) {
        return true;
      }
      if (f <= ftest && Math.abs(g) <= GTOL * (-ginit)) {
        return true;
      }
      if (stage == 1 && f <= fx && f > ftest) {
        double fm = f - stp * gtest;
        double fxm = fx - stx * gtest;
        double fym = fy - sty * gtest;
        double gm = g - gtest;
        double gxm = gx - gtest;
        double gym = gy - gtest;
        double[] r = dcstep(stx, fxm, gxm, sty, fym, gym, stp, fm, gm);
        stx = r[0];
        fx = r[1] + stx * gtest;
        gx = r[2] + gtest;
        sty = r[3];
        fy = r[4] + sty * gtest;
        gy = r[5] + gtest;
        stp = r[6];
      } else {
        double[] r = dcstep(stx, fx, gx, sty, fy, gy, stp, f, g);
        stx = r[0];
        fx = r[1];
        gx = r[2];
        sty = r[3];
        fy = r[4];
        gy = r[5];
        stp = r[6];
      }
      if (brackt) {
        if (Math.abs(sty - stx) >= 0.66 * width1) {
          stp = stx + 0.5 * (sty - stx);
        }
        width1 = width;
        width = Math.abs(sty - stx);
      }
      if (brackt) {
        stmin = Math.min(stx, sty);
        stmax = Math.max(stx, sty);
      } else {
        stmin = stp + XTRAPL * (stp - stx);
        stmax = stp + XTRAPU * (stp - stx);
      }
      stp = Math.max(stp, stpmin);
      stp = Math.min(stp, stpmax);
      if (brackt && (stp <= stmin || stp >= stmax) || brackt && stmax - stmin <= XTOL * stmax) {
        stp = stx;
      }
      return false;
    }

    /** MINPACK-2's {@code dcstep}; returns {stx, fx, dx, sty, fy, dy, stp}. */
    private double[] dcstep(double stx, double fx, double dx, double sty, double fy, double dy,
        double stp, double fp, double dp) {
      double sgnd = dp * (dx / Math.abs(dx));
      double stpf;
      if (fp > fx) {
        double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        double s = Math.max(Math.abs(theta), Math.max(Math.abs(dx), Math.abs(dp)));
        double gamma = s * Math.sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
        if (stp < stx) {
          gamma = -gamma;
        }
        double p = (gamma - dx) + theta;
        double q = ((gamma - dx) + gamma) + dp;
        double r = p / q;
        double stpc = stx + r * (stp - stx);
        double stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
        if (Math.abs(stpc - stx) < Math.abs(stpq - stx)) {
          stpf = stpc;
        } else {
          stpf = stpc + (stpq - stpc) / 2.0;
        }
        brackt = true;
      } else if (sgnd < 0) {
        double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        double s = Math.max(Math.abs(theta), Math.max(Math.abs(dx), Math.abs(dp)));
        double gamma = s * Math.sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
        if (stp > stx) {
          gamma = -gamma;
        }
        double p = (gamma - dp) + theta;
        double q = ((gamma - dp) + gamma) + dx;
        double r = p / q;
        double stpc = stp + r * (stx - stp);
        double stpq = stp + (dp / (dp - dx)) * (stx - stp);
        stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
        brackt = true;
      } else if (Math.abs(dp) < Math.abs(dx)) {
        double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        double s = Math.max(Math.abs(theta), Math.max(Math.abs(dx), Math.abs(dp)));
        double gamma = s * Math.sqrt(Math.max(0.0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
        if (stp > stx) {
          gamma = -gamma;
        }
        double p = (gamma - dp) + theta;
        double q = (gamma + (dx - dp)) + gamma;
        double r = p / q;
        double stpc;
        if (r < 0 && gamma != 0) {
          stpc = stp + r * (stx - stp);
        } else if (stp > stx) {
          stpc = stmax;
        } else {
          stpc = stmin;
        }
        double stpq = stp + (dp / (dp - dx)) * (stx - stp);
        if (brackt) {
          stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
          if (stp > stx) {
            stpf = Math.min(stp + 0.66 * (sty - stp), stpf);
          } else {
            stpf = Math.max(stp + 0.66 * (sty - stp), stpf);
          }
        } else {
          stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
          stpf = Math.min(stmax, stpf);
          stpf = Math.max(stmin, stpf);
        }
      } else {
        if (brackt) {
          double theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
          double s = Math.max(Math.abs(theta), Math.max(Math.abs(dy), Math.abs(dp)));
          double gamma = s * Math.sqrt((theta / s) * (theta / s) - (dy / s) * (dp / s));
          if (stp > sty) {
            gamma = -gamma;
          }
          double p = (gamma - dp) + theta;
          double q = ((gamma - dp) + gamma) + dy;
          double r = p / q;
          stpf = stp + r * (sty - stp);
        } else if (stp > stx) {
          stpf = stmax;
        } else {
          stpf = stmin;
        }
      }
      if (fp > fx) {
        sty = stp;
        fy = fp;
        dy = dp;
      } else {
        if (sgnd < 0) {
          sty = stx;
          fy = fx;
          dy = dx;
        }
        stx = stp;
        fx = fp;
        dx = dp;
      }
      return new double[] {stx, fx, dx, sty, fy, dy, stpf};
    }
  }
}
