import { describe, expect, it } from "vitest";
import {
  differenceInterval,
  experimentVerdict,
  probabilityToBeat,
  twoProportionTest,
  wilsonInterval,
  Z_95,
} from "../../../src/core/analytics/index.js";

// Reference values computed independently with SciPy 1.17.1 (Python 3) on the development machine:
// - P(B beats A): numerical integration of ∫ pdf_B(x) · cdf_A(x) dx with scipy.integrate.quad over
//   scipy.stats.beta(1 + x, 1 + n − x) posteriors (a different method from the closed-form sum in the
//   code; quad's error estimate below 1e-12);
// - Wilson: scipy.stats.binomtest(x, n).proportion_ci(method="wilson");
// - the two-proportion p-value: scipy.stats.chi2_contingency(table, correction=False), which equals
//   the pooled two-sided z-test;
// - Newcombe's interval: from SciPy's Wilson bounds, and for two cases also the values Newcombe
//   published (Statistics in Medicine 17:873–890, 1998, Table II, method 10).

describe("probabilityToBeat", () => {
  it.each([
    [30, 1000, 45, 1000, 0.9606228977108686],
    [3, 20, 7, 20, 0.9205415546878964],
    [120, 1000, 150, 1000, 0.975067836812144],
    [0, 500, 0, 500, 0.5],
    [200, 2000, 160, 2000, 0.013594129190337865],
    [48, 600, 60, 600, 0.8860291846851909],
  ])("A %i/%i against B %i/%i is %f", (xa, na, xb, nb, expected) => {
    expect(probabilityToBeat(xa, na, xb, nb)).toBeCloseTo(expected, 9);
  });

  it("is symmetric: P(B > A) + P(A > B) = 1", () => {
    expect(probabilityToBeat(30, 1000, 45, 1000) + probabilityToBeat(45, 1000, 30, 1000)).toBeCloseTo(1, 10);
  });
});

describe("wilsonInterval", () => {
  it.each([
    [15, 120, 0.07723497273395374, 0.1960294020800739],
    [0, 40, 0, 0.08762160119728662],
    [40, 40, 0.9123783988027133, 1],
    [180, 1000, 0.15742689252874323, 0.20502223290201207],
    [1, 3, 0.06149194472039626, 0.7923403991979523],
  ])("%i of %i", (x, n, low, high) => {
    const ci = wilsonInterval(x, n);
    expect(ci.low).toBeCloseTo(low, 12);
    expect(ci.high).toBeCloseTo(high, 12);
  });

  it("uses the 97.5 % normal quantile", () => {
    expect(Z_95).toBe(1.959963984540054); // scipy.stats.norm.ppf(0.975)
  });
});

describe("differenceInterval and twoProportionTest", () => {
  it.each([
    [180, 1000, 8, 60, -0.06397867383061777, 0.1155633692479174, 0.3580040807407989],
    [56, 70, 48, 80, 0.052431472402364815, 0.3338726540369059, 0.008045081368196585],
    [9, 10, 3, 10, 0.17052272393450302, 0.8090179735354881, 0.0061698993205441645],
    [150, 1000, 120, 1000, 1.3782434204030747e-5, 0.06000825857012654, 0.049640386865368834],
  ])("%i/%i − %i/%i", (x1, n1, x2, n2, low, high, p) => {
    const ci = differenceInterval(x1, n1, x2, n2);
    expect(ci.low).toBeCloseTo(low, 12);
    expect(ci.high).toBeCloseTo(high, 12);
    // the erf approximation is good to about 1e-7
    expect(twoProportionTest(x1, n1, x2, n2).pValue).toBeCloseTo(p, 6);
  });

  it("matches Newcombe's published values (1998, Table II, method 10)", () => {
    const a = differenceInterval(56, 70, 48, 80);
    expect([a.low, a.high].map((v) => v.toFixed(4))).toEqual(["0.0524", "0.3339"]);
    const b = differenceInterval(9, 10, 3, 10);
    expect([b.low, b.high].map((v) => v.toFixed(4))).toEqual(["0.1705", "0.8090"]);
  });

  it("says nothing is significant when there is nothing to compare", () => {
    expect(twoProportionTest(0, 0, 5, 10).pValue).toBe(1);
    expect(twoProportionTest(0, 10, 0, 10).pValue).toBe(1);
  });
});

describe("experimentVerdict", () => {
  const rule = { minCarts: 500, confidence: 0.9 };

  it("calls nothing while a variant has fewer carts than the rule needs, however large the gap", () => {
    const verdict = experimentVerdict(
      [
        { id: "control", carts: 499, recovered: 10 },
        { id: "short-copy", carts: 499, recovered: 200 },
      ],
      rule,
    );
    expect(verdict.status).toBe("collecting");
    expect(verdict.winner).toBeNull();
    expect(verdict.summary).toContain("500 carts");
    // the numbers are still shown
    expect(verdict.arms[1]?.probabilityToBeatControl).toBeGreaterThan(0.999);
  });

  it("calls a winner at the confidence bar", () => {
    const verdict = experimentVerdict(
      [
        { id: "control", carts: 1000, recovered: 30 },
        { id: "b", carts: 1000, recovered: 45 },
      ],
      rule,
    );
    expect(verdict.status).toBe("winner");
    expect(verdict.winner).toBe("b");
    expect(verdict.arms[1]?.uplift).toBeCloseTo(0.5, 12);
    expect(verdict.arms[1]?.probabilityToBeatControl).toBeCloseTo(0.9606228977108686, 9);
  });

  it("calls the control when every variant is likely worse", () => {
    const verdict = experimentVerdict(
      [
        { id: "control", carts: 2000, recovered: 200 },
        { id: "b", carts: 2000, recovered: 160 },
      ],
      rule,
    );
    expect(verdict.status).toBe("control_wins");
    expect(verdict.winner).toBe("control");
  });

  it("says there is no clear winner between the bars", () => {
    const verdict = experimentVerdict(
      [
        { id: "control", carts: 600, recovered: 48 },
        { id: "b", carts: 600, recovered: 60 },
      ],
      rule,
    );
    expect(verdict.status).toBe("no_clear_winner");
    expect(verdict.winner).toBeNull();
    expect(verdict.summary).toContain("88.6 %");
  });
});
