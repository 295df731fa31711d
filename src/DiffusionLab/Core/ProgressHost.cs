namespace DiffusionLab.Core;

/// <summary>
/// The notebook host's progress display, when one is registered (the notebook setup does, see
/// notebooks/_setup.dib): loops that would write progress to the console then update one display in the
/// notebook instead. Process-wide on purpose, like <see cref="Console.Out"/> itself: the host is a fact of
/// the process, and calls deep in the library (a study's runs, a training's sample grids) reach it without
/// every signature carrying it. Nothing is registered in the CLI or in tests that do not register one.
/// </summary>
public static class ProgressHost
{
    private static readonly object Gate = new();
    private static Func<string, IProgressDisplay>? _host;

    /// <summary>Makes <paramref name="host"/> (title → display) the console's progress display until the result is disposed.</summary>
    public static IDisposable Register(Func<string, IProgressDisplay> host)
    {
        ArgumentNullException.ThrowIfNull(host);
        Func<string, IProgressDisplay>? previous;
        lock (Gate)
        {
            previous = _host;
            _host = host;
        }
        return new Registration(host, previous);
    }

    public static bool IsRegistered => Volatile.Read(ref _host) is not null;

    /// <summary>A display titled <paramref name="title"/> on the host, or null without one.</summary>
    public static IProgressDisplay? Open(string title) => Volatile.Read(ref _host)?.Invoke(title);

    /// <summary>
    /// The display for a loop that reports to <paramref name="output"/>: the host's when the output is the
    /// console and a host is registered, else text (a terminal bar when <paramref name="interactive"/>).
    /// </summary>
    public static IProgressDisplay For(TextWriter output, bool interactive, int every, string title) =>
        ReferenceEquals(output, Console.Out) && Open(title) is { } hosted ? hosted : new TextProgressDisplay(output, interactive, every);

    private sealed class Registration(Func<string, IProgressDisplay> host, Func<string, IProgressDisplay>? previous) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate)
                if (ReferenceEquals(_host, host)) _host = previous;
        }
    }
}
