namespace DiffusionLab.Imaging;

/// <summary>How an animation plays (see <see cref="AnimatedImageFile"/>).</summary>
public sealed record AnimationSettings
{
    /// <summary>How long each frame shows, unless <see cref="FrameDelays"/> gives one per frame. GIF stores hundredths of a second.</summary>
    public TimeSpan FrameDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>One delay per frame (e.g. a hold on the keyframes of a transition clip); null: <see cref="FrameDelay"/> for all.</summary>
    public IReadOnlyList<TimeSpan>? FrameDelays { get; init; }

    /// <summary>How many times the clip plays: 0 loops forever, 1 plays once, N plays N times.</summary>
    public int Plays { get; init; } = 0;

    /// <summary>WebP only: lossless frames (exact pixels) or lossy VP8 at <see cref="Quality"/>.</summary>
    public bool Lossless { get; init; } = true;

    /// <summary>WebP lossy quality, 0..100.</summary>
    public int Quality { get; init; } = 90;

    /// <summary>The delay of frame <paramref name="index"/>.</summary>
    public TimeSpan DelayOf(int index) => FrameDelays is { } delays ? delays[index] : FrameDelay;

    /// <summary>Problems for an animation of <paramref name="frames"/> frames, each naming the setting; empty when valid.</summary>
    public IReadOnlyList<string> Problems(int frames)
    {
        var p = new List<string>();
        if (frames < 1) p.Add($"frames: {frames}, expected at least 1");
        if (FrameDelays is { } delays && delays.Count != frames) p.Add($"FrameDelays: {delays.Count} delays for {frames} frames, expected one per frame");
        foreach (var d in FrameDelays ?? [FrameDelay])
            if (d < TimeSpan.FromMilliseconds(1) || d > TimeSpan.FromMilliseconds(0xFFFFFF)) p.Add($"FrameDelay: {d.TotalMilliseconds} ms, expected 1 ms .. {0xFFFFFF} ms");
        if (Plays is < 0 or > 65535) p.Add($"Plays: {Plays}, expected 0 (forever) .. 65535");
        if (Quality is < 0 or > 100) p.Add($"Quality: {Quality}, expected 0..100");
        return p;
    }
}
