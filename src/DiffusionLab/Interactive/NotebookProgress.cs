using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using DiffusionLab.Core;

namespace DiffusionLab.Interactive;

/// <summary>
/// One updating display per notebook cell for everything long the cell runs: a row per loop (training, a
/// study's runs, sampling, evaluation; keyed by title) with a bar, step of total, steps/s, ETA, the last values
/// and a loss sparkline, then the last few messages. The host glue is two delegates (which cell runs now, and
/// how to display and later update a value), so the library never references the notebook host; the notebook
/// setup registers <see cref="Host"/> with <see cref="ProgressHost"/> and formats this type with
/// <see cref="Html"/> and <see cref="Text"/> (<see cref="NotebookFormatters.Register"/>).
/// </summary>
public sealed class NotebookProgress
{
    /// <summary>Messages kept under the rows.</summary>
    public const int MaxMessages = 6;

    private readonly object _gate = new();
    private readonly Func<NotebookProgress, Action> _show;
    private readonly TimeSpan _minInterval;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<ProgressState> _rows = [];
    private readonly List<string> _messages = [];
    private Action? _update;
    private TimeSpan _lastUpdate = TimeSpan.MinValue;
    private bool _pending;

    /// <param name="show">Displays this board (first call) and returns the action that refreshes that display.</param>
    /// <param name="minInterval">The least time between refreshes (a finished row or a message refreshes at once).</param>
    public NotebookProgress(Func<NotebookProgress, Action> show, TimeSpan? minInterval = null)
    {
        _show = show ?? throw new ArgumentNullException(nameof(show));
        _minInterval = minInterval ?? TimeSpan.FromMilliseconds(500);
    }

    /// <summary>
    /// The progress host for <see cref="ProgressHost.Register"/>: loops of one cell share one board (a new cell
    /// starts a new one). <paramref name="currentCell"/> names the running cell (the kernel's current command).
    /// </summary>
    public static Func<string, IProgressDisplay> Host(Func<object?> currentCell, Func<NotebookProgress, Action> show, TimeSpan? minInterval = null)
    {
        ArgumentNullException.ThrowIfNull(currentCell);
        object gate = new();
        NotebookProgress? board = null;
        object? boardCell = null;
        return title =>
        {
            var cell = currentCell();
            lock (gate)
            {
                if (board is null || !ReferenceEquals(cell, boardCell))
                {
                    board = new NotebookProgress(show, minInterval);
                    boardCell = cell;
                }
                return board.Row(title);
            }
        };
    }

    /// <summary>The row titled <paramref name="title"/> (shown once it first reports).</summary>
    public IProgressDisplay Row(string title) => new RowDisplay(this, title);

    /// <summary>Each loop's latest state, in the order they first reported.</summary>
    public IReadOnlyList<ProgressState> Rows
    {
        get { lock (_gate) return _rows.ToList(); }
    }

    public IReadOnlyList<string> Messages
    {
        get { lock (_gate) return _messages.ToList(); }
    }

    public string Html()
    {
        var rows = Rows;
        var html = new StringBuilder("<div class=\"difflab-progress\" style=\"font-family:monospace;font-size:90%\"><table style=\"border-collapse:collapse\">");
        foreach (var r in rows)
        {
            double share = r.Total > 0 ? Math.Clamp((double)r.Step / r.Total, 0, 1) : 1;
            html.Append("<tr>")
                .Append($"<td style=\"padding:1px 6px;white-space:nowrap\">{Enc(r.Title)}</td>")
                .Append("<td style=\"padding:1px 6px;white-space:nowrap\"><div style=\"width:120px;height:10px;background:#ddd\">")
                .Append($"<div style=\"width:{(share * 100).ToString("F1", CultureInfo.InvariantCulture)}%;height:10px;background:{(r.Finished ? "#2ca02c" : "#1f77b4")}\"></div></div></td>")
                .Append($"<td style=\"padding:1px 6px;white-space:nowrap;text-align:right\">{r.Step}/{r.Total}</td>")
                .Append($"<td style=\"padding:1px 6px;white-space:nowrap;text-align:right\">{r.StepsPerSecond.ToString("F2", CultureInfo.InvariantCulture)} steps/s</td>")
                .Append($"<td style=\"padding:1px 6px;white-space:nowrap\">{(r.Finished ? "done" : "ETA " + ProgressState.Duration(r.EtaSeconds))}</td>")
                .Append($"<td style=\"padding:1px 6px;white-space:nowrap\">{Enc(r.ValuesText)}</td>")
                .Append($"<td style=\"padding:1px 6px;white-space:nowrap\">{Sparkline(r.Losses)}</td>")
                .Append("</tr>");
        }
        html.Append("</table>");
        foreach (var m in Messages) html.Append($"<div>{Enc(m)}</div>");
        return html.Append("</div>").ToString();
    }

    public string Text()
    {
        var text = new StringBuilder();
        foreach (var r in Rows)
            text.Append($"{r.Title}: {r.Step}/{r.Total}  {r.StepsPerSecond.ToString("F2", CultureInfo.InvariantCulture)} steps/s  ")
                .Append(r.Finished ? "done" : "ETA " + ProgressState.Duration(r.EtaSeconds))
                .Append(r.ValuesText.Length > 0 ? "  " + r.ValuesText : "").Append('\n');
        foreach (var m in Messages) text.Append(m).Append('\n');
        return text.ToString().TrimEnd('\n');
    }

    public override string ToString() => Text();

    /// <summary>The loss history as a small inline SVG line (empty when there is under two points).</summary>
    public static string Sparkline(IReadOnlyList<double> values, int width = 120, int height = 24)
    {
        if (values.Count < 2) return "";
        double min = values.Min(), max = values.Max(), span = max - min > 0 ? max - min : 1;
        var points = string.Join(" ", values.Select((v, i) =>
            $"{(i * (width - 2.0) / (values.Count - 1) + 1).ToString("F1", CultureInfo.InvariantCulture)},{(height - 1 - (v - min) / span * (height - 2)).ToString("F1", CultureInfo.InvariantCulture)}"));
        return $"<svg width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\"><polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.2\" points=\"{points}\"/></svg>";
    }

    private void Update(ProgressState? state, string? message)
    {
        Action? refresh = null;
        lock (_gate)
        {
            if (state is not null)
            {
                int i = _rows.FindIndex(r => r.Title == state.Title);
                if (i >= 0) _rows[i] = state; else _rows.Add(state);
            }
            if (message is not null)
            {
                _messages.Add(message);
                if (_messages.Count > MaxMessages) _messages.RemoveAt(0);
            }
            bool urgent = _update is null || message is not null || state?.Finished == true;
            if (urgent || _clock.Elapsed - _lastUpdate >= _minInterval)
            {
                _lastUpdate = _clock.Elapsed;
                _pending = false;
                if (_update is null) _update = _show(this);
                else refresh = _update;
            }
            else _pending = true;
        }
        refresh?.Invoke();
    }

    /// <summary>Shows a state the rate limit held back (also done by any later report or message).</summary>
    public void Flush()
    {
        Action? refresh;
        lock (_gate)
        {
            if (!_pending || _update is null) return;
            _pending = false;
            _lastUpdate = _clock.Elapsed;
            refresh = _update;
        }
        refresh();
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    private sealed class RowDisplay(NotebookProgress board, string title) : IProgressDisplay
    {
        public void Show(ProgressState state) => board.Update(state with { Title = title }, null);

        public void Message(string text) => board.Update(null, text);
    }
}
