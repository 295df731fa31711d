namespace DiffusionLab.Core;

/// <summary>
/// Where the progress of a long loop (training, sampling, evaluation) goes: a terminal bar or log lines
/// (<see cref="TextProgressDisplay"/>), or a notebook's one updating display when a notebook host registered
/// one with <see cref="ProgressHost"/>. The library never needs a host.
/// </summary>
public interface IProgressDisplay
{
    /// <summary>The loop's latest state (called on every report; a display may show only some).</summary>
    void Show(ProgressState state);

    /// <summary>A one-off line: a resume, an evaluation's result.</summary>
    void Message(string text);
}
