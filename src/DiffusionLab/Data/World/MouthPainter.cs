using SkiaSharp;

namespace DiffusionLab.Data.World;

/// <summary>
/// Paints one mouth centred at (x, y): the expression curves it (smile or frown) and opens it (dark
/// opening, with teeth when smiling); the turn shortens the far side. scale is
/// 1 for the mouth, smaller for an extra one on the cheek.
/// </summary>
internal static class MouthPainter
{
    public static void Draw(SKCanvas c, PaintKit kit, float x, float y, float half, float lip, SKColor lipColor, ExpressionParameters e, float yaw, float scale)
    {
        float curve = (float)e.MouthCurve, open = (float)e.MouthOpen;
        // An open mouth narrows toward an "O"; a smile widens.
        float w = half * scale * (1f - 0.35f * open + 0.1f * Math.Max(curve, 0f));
        float left = x - w * (1f - 0.25f * Math.Max(-yaw, 0f)), right = x + w * (1f - 0.25f * Math.Max(yaw, 0f));
        float corner = y - curve * 2.6f * scale, middle = y + curve * 1.2f * scale;
        kit.MouthPath.Reset();
        kit.MouthPath.MoveTo(left, corner);
        kit.MouthPath.QuadTo(x, middle, right, corner);
        if (open < 0.08f)
        {
            c.DrawPath(kit.MouthPath, kit.Stroke(lipColor, lip * scale));
            return;
        }
        kit.MouthPath.QuadTo(x, middle + open * 9f * scale, left, corner);
        kit.MouthPath.Close();
        c.DrawPath(kit.MouthPath, kit.Fill(new SKColor(90, 22, 30)));
        if (curve > 0.3f)
        {
            // Teeth: the top of the opening.
            c.Save();
            c.ClipPath(kit.MouthPath, SKClipOperation.Intersect, true);
            c.DrawRect(left, Math.Min(corner, middle) - 1f, right - left, (middle - Math.Min(corner, middle)) + 2.2f * scale, kit.Fill(SKColors.White));
            c.Restore();
        }
        c.DrawPath(kit.MouthPath, kit.Stroke(lipColor, lip * scale * 0.8f));
    }
}
