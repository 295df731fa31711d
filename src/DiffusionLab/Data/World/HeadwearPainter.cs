using SkiaSharp;
using static DiffusionLab.Data.World.WorldPalette;

namespace DiffusionLab.Data.World;

/// <summary>
/// Paints the image's headwear over the hair, in the head's frame: cap, party hat, crown,
/// headphones, Christmas hat, top hat or beanie. Drawn in both passes with every stroke included:
/// all of it is the person. The detail seed's parity picks the side a tip leans to.
/// </summary>
internal static class HeadwearPainter
{
    public static void Draw(SKCanvas c, PaintKit kit, in CharacterScene s, HeadFrame f)
    {
        float w = f.W, h = f.H, dx = f.Dx, side = (s.DetailSeed & 1) == 0 ? 1f : -1f;
        switch (s.Headwear)
        {
            case Headwear.Cap:
            {
                var cap = new SKColor(26, 140, 140);
                kit.Path.Reset();
                HeadCapPath.Add(kit.Path, w, h, 2.6f, -h * 0.5f, dx * 0.3f, -h * 0.5f);
                c.DrawPath(kit.Path, kit.Fill(cap));
                float brimX = dx * 1.6f + (f.Yaw >= 0 ? 2f : -2f);
                c.DrawOval(brimX, -h * 0.5f, w * 0.95f, 3.4f, kit.Fill(Shade(cap, 0.7f)));
                c.DrawCircle(dx * 0.3f, -h - 2.4f, 1.7f, kit.Fill(Shade(cap, 0.7f)));
                c.DrawLine(dx * 0.3f, -h - 1f, dx * 0.6f, -h * 0.55f, kit.Stroke(Shade(cap, 0.75f), 0.7f));
                break;
            }
            case Headwear.PartyHat:
            {
                float baseY = -h + 2.5f, tipX = side * 3f + dx * 0.3f, tipY = -h - 21f;
                kit.Path.Reset();
                kit.Path.MoveTo(-9f + dx * 0.3f, baseY);
                kit.Path.LineTo(9f + dx * 0.3f, baseY);
                kit.Path.LineTo(tipX, tipY);
                kit.Path.Close();
                c.DrawPath(kit.Path, kit.Fill(new SKColor(226, 50, 160)));
                c.Save();
                c.ClipPath(kit.Path, SKClipOperation.Intersect, true);
                var stripe = kit.Stroke(new SKColor(255, 222, 60), 2.4f);
                for (int k = 0; k < 3; k++)
                {
                    float y = baseY - 5f - k * 6f;
                    c.DrawLine(-12f, y + 3f, 12f, y - 3f, stripe);
                }
                c.Restore();
                c.DrawCircle(tipX, tipY, 3f, kit.Fill(new SKColor(255, 222, 60)));
                break;
            }
            case Headwear.Crown:
            {
                float baseY = -h + 3f, x0 = -11f + dx * 0.3f;
                kit.Path.Reset();
                kit.Path.MoveTo(x0, baseY);
                kit.Path.LineTo(x0 + 22f, baseY);
                ReadOnlySpan<float> px = [22f, 16.5f, 11f, 5.5f, 0f];
                ReadOnlySpan<float> py = [13f, 7f, 15f, 7f, 13f];
                for (int k = 0; k < px.Length; k++)
                {
                    kit.Path.LineTo(x0 + px[k], baseY - py[k]);
                    if (k < px.Length - 1) kit.Path.LineTo(x0 + px[k] - 2.75f, baseY - 6f);
                }
                kit.Path.Close();
                c.DrawPath(kit.Path, kit.Fill(new SKColor(246, 196, 40)));
                c.DrawPath(kit.Path, kit.Stroke(new SKColor(176, 124, 16), 0.8f));
                c.DrawCircle(x0 + 11f, baseY - 3f, 1.8f, kit.Fill(new SKColor(220, 30, 60)));
                c.DrawCircle(x0 + 4.5f, baseY - 3f, 1.2f, kit.Fill(new SKColor(40, 120, 230)));
                c.DrawCircle(x0 + 17.5f, baseY - 3f, 1.2f, kit.Fill(new SKColor(40, 120, 230)));
                break;
            }
            case Headwear.Headphones:
            {
                var band = kit.Stroke(new SKColor(50, 54, 64), 2.8f);
                kit.Path.Reset();
                kit.Path.AddArc(SKRect.Create(-w - 3f, -h - 3f, 2 * w + 6f, 2 * h + 6f), 190f, 160f);
                c.DrawPath(kit.Path, band);
                var cup = kit.Fill(new SKColor(44, 48, 58));
                var rim = new SKColor(232, 70, 60);
                c.DrawRoundRect(SKRect.Create(-w - 5.5f, -4f, 7f, 12f), 2.5f, 2.5f, cup);
                c.DrawRoundRect(SKRect.Create(w - 1.5f, -4f, 7f, 12f), 2.5f, 2.5f, cup);
                c.DrawRoundRect(SKRect.Create(-w - 5.5f, -4f, 7f, 12f), 2.5f, 2.5f, kit.Stroke(rim, 1f));
                c.DrawRoundRect(SKRect.Create(w - 1.5f, -4f, 7f, 12f), 2.5f, 2.5f, kit.Stroke(rim, 1f));
                break;
            }
            case Headwear.ChristmasHat:
            {
                var red = new SKColor(214, 36, 40);
                float tipX = side * (w + 7f), tipY = -h + 1f;
                kit.Path.Reset();
                kit.Path.MoveTo(-w - 1.5f, -h * 0.45f);
                kit.Path.QuadTo(-w * 0.6f, -h - 12f, side * 4f, -h - 13f);
                kit.Path.QuadTo(side * (w + 4f), -h - 12f, tipX, tipY);
                kit.Path.QuadTo(side * w * 0.6f, -h - 6f, w * side * 0.2f, -h - 3f);
                kit.Path.LineTo(w + 1.5f, -h * 0.45f);
                kit.Path.Close();
                c.DrawPath(kit.Path, kit.Fill(red));
                c.DrawRoundRect(SKRect.Create(-w - 3f, -h * 0.62f, 2 * w + 6f, 5.5f), 2.7f, 2.7f, kit.Fill(new SKColor(250, 250, 250)));
                c.DrawCircle(tipX, tipY, 3.6f, kit.Fill(new SKColor(250, 250, 250)));
                break;
            }
            case Headwear.TopHat:
            {
                var black = new SKColor(26, 26, 30);
                float x0 = dx * 0.3f, baseY = -h + 3.5f;
                c.DrawRect(x0 - 10.5f, baseY - 20f, 21f, 20f, kit.Fill(black));
                c.DrawOval(x0, baseY, w + 4f, 3f, kit.Fill(black));
                c.DrawRect(x0 - 10.5f, baseY - 5.5f, 21f, 3.5f, kit.Fill(new SKColor(190, 30, 44)));
                c.DrawRect(x0 - 10.5f, baseY - 20f, 21f, 20f, kit.Stroke(new SKColor(92, 92, 100), 0.7f));
                break;
            }
            case Headwear.Beanie:
            {
                var wool = new SKColor(232, 162, 32);
                kit.Path.Reset();
                HeadCapPath.Add(kit.Path, w, h, 2.4f, -h * 0.38f, dx * 0.3f, -h * 0.38f);
                c.DrawPath(kit.Path, kit.Fill(wool));
                c.DrawRoundRect(SKRect.Create(-w - 3f, -h * 0.55f, 2 * w + 6f, 6f), 2.5f, 2.5f, kit.Fill(Shade(wool, 0.8f)));
                c.DrawCircle(dx * 0.3f, -h - 4f, 3.6f, kit.Fill(Shade(wool, 0.9f)));
                var rib = kit.Stroke(Shade(wool, 0.75f), 0.7f);
                for (int k = -2; k <= 2; k++) c.DrawLine(k * 4.5f + dx * 0.3f, -h * 0.58f, k * 3.5f + dx * 0.3f, -h - 1f, rib);
                break;
            }
        }
    }
}
