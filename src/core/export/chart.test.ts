import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeXml, horizontalBarsSvg, svgSize, valueChartSvg } from "./chart.js";

const hostile = `"><script>alert(1)</script>\u0007`;

describe("the chart helper", () => {
  it("makes any text inert in SVG: specials escaped, control characters dropped", () => {
    assert.equal(escapeXml(`a<b>&"c'\u0000\u001f\u007f`), "a&lt;b&gt;&amp;&quot;c&apos;");
  });

  it("escapes every text of both kinds of chart, and names each as an image", () => {
    const charts = [
      horizontalBarsSvg([{ label: hostile, value: 2, valueText: hostile }], { title: hostile }),
      valueChartSvg({ kind: "bar", points: [{ label: hostile, value: 3 }], title: hostile, formatNumber: () => hostile }),
      valueChartSvg({ kind: "line", points: [{ label: hostile, value: 3 }, { label: "b", value: -1 }], title: hostile, formatNumber: String }),
    ];
    for (const svg of charts) {
      assert.match(svg, /^<svg [^>]*role="img" aria-label="&quot;&gt;&lt;script&gt;/);
      assert.ok(!svg.includes("<script"), "no script element");
      assert.ok(!svg.includes("\u0007"));
      assert.ok(!/\son[a-z]+=/i.test(svg), "no event handler attribute");
    }
  });

  it("draws muted bars in grey and the others in the bar colour, scaled to the largest value", () => {
    const svg = horizontalBarsSvg(
      [
        { label: "Fontaine", value: 10, valueText: "10" },
        { label: "Éclairage", value: 5, valueText: "5", muted: true },
        { label: "Rien", value: Number.NaN, valueText: "0" },
      ],
      { title: "Votes", width: 400 },
    );
    const bars = [...svg.matchAll(/<rect x="8" y="\d+" width="([\d.]+)" height="18" fill="(#[0-9a-f]{6})"/g)].map((match) => [Number(match[1]), match[2]]);
    assert.deepEqual(bars, [
      [400 - 16 - 72, "#0b4f8a"],
      [(400 - 16 - 72) / 2, "#5f6b78"],
      [0, "#0b4f8a"],
    ]);
    assert.deepEqual(svgSize(svg), { width: "400", height: String(8 * 2 + 3 * 46 - 10) });
  });
});
