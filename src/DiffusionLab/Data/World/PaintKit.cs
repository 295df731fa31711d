using SkiaSharp;

namespace DiffusionLab.Data.World;

/// <summary>
/// The two paints and the scratch paths one <see cref="CharacterRenderer"/> draws with. In the
/// silhouette (mask) pass every paint is white whatever colour a painter asks for, so the mask
/// pass replays the colour pass's geometry unchanged. Reused across draws: not thread-safe.
/// </summary>
internal sealed class PaintKit : IDisposable
{
    private readonly SKPaint _fill = new() { Style = SKPaintStyle.Fill, IsAntialias = true };
    private readonly SKPaint _stroke = new() { Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round, IsAntialias = true };

    /// <summary>True while drawing the mask: paints come out white.</summary>
    public bool Silhouette { get; set; }

    /// <summary>Scratch path any painter may reset and fill.</summary>
    public SKPath Path { get; } = new();

    /// <summary>The mouth opening, kept apart from <see cref="Path"/>.</summary>
    public SKPath MouthPath { get; } = new();

    /// <summary>The head outline of the current drawing; the face and the beard clip to it.</summary>
    public SKPath HeadPath { get; } = new();

    public SKPaint Fill(SKColor color)
    {
        _fill.Color = Silhouette ? SKColors.White : color;
        return _fill;
    }

    public SKPaint Stroke(SKColor color, float width)
    {
        _stroke.Color = Silhouette ? SKColors.White : color;
        _stroke.StrokeWidth = width;
        return _stroke;
    }

    public void Dispose()
    {
        _fill.Dispose();
        _stroke.Dispose();
        Path.Dispose();
        MouthPath.Dispose();
        HeadPath.Dispose();
    }
}
