using SkiaSharp;

namespace DiffusionLab.Data.World;

/// <summary>Paints one nose of the identity's shape at (x, y), its tip pointing the way the head turns.</summary>
internal static class NosePainter
{
    public static void Draw(SKCanvas c, PaintKit kit, NoseShape shape, float x, float y, SKColor color, float yaw)
    {
        var line = kit.Stroke(color, 1.3f);
        float turn = yaw >= 0 ? 1f : -1f;
        switch (shape)
        {
            case NoseShape.Button:
                c.DrawOval(x, y + 0.8f, 2.3f, 1.9f, kit.Fill(color));
                break;
            case NoseShape.Pointed:
                kit.Path.Reset();
                kit.Path.MoveTo(x - 0.6f * turn, y - 4.5f);
                kit.Path.LineTo(x + 2.6f * turn, y + 2.2f);
                kit.Path.LineTo(x - 1.2f * turn, y + 2.4f);
                c.DrawPath(kit.Path, line);
                break;
            case NoseShape.Wide:
                kit.Path.Reset();
                kit.Path.MoveTo(x - 4f, y + 0.2f);
                kit.Path.QuadTo(x, y + 4.4f, x + 4f, y + 0.2f);
                c.DrawPath(kit.Path, line);
                c.DrawCircle(x - 1.6f, y + 1.3f, 0.7f, kit.Fill(color));
                c.DrawCircle(x + 1.6f, y + 1.3f, 0.7f, kit.Fill(color));
                break;
            default:
                kit.Path.Reset();
                kit.Path.MoveTo(x, y - 7f);
                kit.Path.LineTo(x + 0.9f * turn, y + 2.2f);
                kit.Path.QuadTo(x, y + 3.4f, x - 1.8f * turn, y + 2.4f);
                c.DrawPath(kit.Path, line);
                break;
        }
    }
}
