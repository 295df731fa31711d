using SkiaSharp;

namespace DiffusionLab.Data.World;

/// <summary>
/// Paints one eye (white, iris, pupil, outline, and on women and girls an outer lash) centred at
/// (x, y) with half-axes (rx, ry); the iris follows the head's turn and the eyelid opening is in ry. side is −1 for the left eye, 1 for
/// the right, 0 for an extra eye (no lash).
/// </summary>
internal static class EyePainter
{
    public static void Draw(SKCanvas c, PaintKit kit, float x, float y, float rx, float ry, SKColor iris, float dx, bool lashes, float side)
    {
        ry = Math.Max(ry, 0.5f);
        c.DrawOval(x, y, rx, ry, kit.Fill(SKColors.White));
        float ir = Math.Min(rx * 0.62f, ry), gaze = dx * 0.12f;
        c.DrawOval(x + gaze, y + 0.15f, Math.Min(rx * 0.62f, rx), ir, kit.Fill(iris));
        c.DrawCircle(x + gaze, y + 0.15f, Math.Min(rx, ir) * 0.5f, kit.Fill(new SKColor(14, 12, 16)));
        c.DrawOval(x, y, rx, ry, kit.Stroke(new SKColor(40, 28, 24), 0.7f));
        if (lashes && side != 0)
        {
            var lash = kit.Stroke(new SKColor(30, 22, 20), 0.8f);
            float ox = x + side * rx * 0.85f, oy = y - ry * 0.55f;
            c.DrawLine(ox, oy, ox + side * 1.6f, oy - 1.4f, lash);
        }
    }
}
