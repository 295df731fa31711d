using System.Globalization;
using System.Net;
using System.Text;
using static TorchSharp.torch;

namespace DiffusionLab.Interactive;

/// <summary>A classifier's confusion matrix as an HTML table (rows: true class, columns: predicted), shaded by row share.</summary>
public static class ConfusionMatrixDisplay
{
    /// <summary>Counts (K, K) of <paramref name="actual"/> (N) against <paramref name="predicted"/> (N), both int64 class indices.</summary>
    public static long[,] Counts(Tensor actual, Tensor predicted, int classes)
    {
        if (actual.shape[0] != predicted.shape[0]) throw new ArgumentException($"{actual.shape[0]} true labels for {predicted.shape[0]} predictions");
        var counts = new long[classes, classes];
        var a = actual.cpu().data<long>().ToArray();
        var p = predicted.cpu().data<long>().ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] < 0 || a[i] >= classes || p[i] < 0 || p[i] >= classes) throw new ArgumentException($"label {a[i]} or prediction {p[i]} outside 0..{classes - 1}");
            counts[a[i], p[i]]++;
        }
        return counts;
    }

    public static string Html(Tensor actual, Tensor predicted, IReadOnlyList<string> classNames, string title)
    {
        var counts = Counts(actual, predicted, classNames.Count);
        long total = 0, right = 0;
        var html = new StringBuilder($"<table style=\"border-collapse:collapse;font-size:85%\"><caption>{WebUtility.HtmlEncode(title)}</caption><thead><tr><th>true \\ predicted</th>");
        foreach (var name in classNames) html.Append($"<th>{WebUtility.HtmlEncode(name)}</th>");
        html.Append("</tr></thead><tbody>");
        for (int i = 0; i < classNames.Count; i++)
        {
            long row = Enumerable.Range(0, classNames.Count).Sum(j => counts[i, j]);
            html.Append($"<tr><th>{WebUtility.HtmlEncode(classNames[i])}</th>");
            for (int j = 0; j < classNames.Count; j++)
            {
                double share = row == 0 ? 0 : (double)counts[i, j] / row;
                string color = i == j ? $"rgba(44,160,44,{share:F2})" : $"rgba(214,39,40,{share:F2})";
                html.Append($"<td style=\"background:{color};text-align:right;padding:2px 6px\">{counts[i, j]}</td>");
            }
            html.Append("</tr>");
            total += row;
            right += counts[i, i];
        }
        string accuracy = total == 0 ? "–" : ((double)right / total).ToString("P1", CultureInfo.InvariantCulture);
        return html.Append($"</tbody></table><p>{WebUtility.HtmlEncode(title)}: accuracy {accuracy} on {total} images</p>").ToString();
    }
}
