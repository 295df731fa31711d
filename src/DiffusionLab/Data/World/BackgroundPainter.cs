using SkiaSharp;
using static DiffusionLab.Data.World.CharacterRenderer;
using static DiffusionLab.Data.World.WorldPalette;

namespace DiffusionLab.Data.World;

/// <summary>
/// Paints the scene behind the person (colour pass only): beach, city, forest, night sky, room or a
/// plain colour, with the unnamed details (building heights, tree and star positions, the plain
/// colour) drawn from the image's detail seed.
/// </summary>
internal static class BackgroundPainter
{
    public static void Draw(SKCanvas c, PaintKit kit, in CharacterScene s)
    {
        var rng = WorldRandom.For(s.DetailSeed, (int)s.Background, 0, WorldStream.Details);
        switch (s.Background)
        {
            case BackgroundScene.Beach: Beach(c, kit, ref rng); break;
            case BackgroundScene.City: City(c, kit, ref rng); break;
            case BackgroundScene.Forest: Forest(c, kit, ref rng); break;
            case BackgroundScene.NightSky: NightSky(c, kit, ref rng); break;
            case BackgroundScene.Room: Room(c, kit, ref rng); break;
            default: c.Clear(Plain(rng.Next(6))); break;
        }
    }

    private static void Beach(SKCanvas c, PaintKit kit, ref WorldRandom rng)
    {
        float horizon = (float)rng.Uniform(40, 50), shore = horizon + (float)rng.Uniform(14, 20);
        c.Clear(new SKColor(140, 200, 246));
        c.DrawCircle((float)rng.Uniform(10, 90), (float)rng.Uniform(8, 18), 7f, kit.Fill(new SKColor(255, 222, 80)));
        c.DrawRect(0, horizon, Units, shore - horizon + 2, kit.Fill(new SKColor(30, 116, 200)));
        var wave = kit.Stroke(new SKColor(130, 190, 240), 1.2f);
        for (int i = 0; i < 3; i++)
        {
            float y = horizon + 3 + i * (shore - horizon - 4) / 3f, x = (float)rng.Uniform(0, 20);
            c.DrawLine(x, y, x + 14, y, wave);
            c.DrawLine(x + 55, y + 1.5f, x + 72, y + 1.5f, wave);
        }
        kit.Path.Reset();
        kit.Path.MoveTo(0, shore);
        for (int i = 1; i <= 4; i++) kit.Path.QuadTo(i * 25 - 12.5f, shore - 2.5f, i * 25, shore);
        kit.Path.LineTo(Units, Units);
        kit.Path.LineTo(0, Units);
        kit.Path.Close();
        c.DrawPath(kit.Path, kit.Fill(new SKColor(240, 216, 158)));
        c.DrawPath(kit.Path, kit.Stroke(SKColors.White, 1.2f));
    }

    private static void City(SKCanvas c, PaintKit kit, ref WorldRandom rng)
    {
        bool dusk = rng.Next(3) == 0;
        c.Clear(dusk ? new SKColor(250, 186, 140) : new SKColor(168, 210, 242));
        ReadOnlySpan<uint> walls = [0xFF5A6478, 0xFF787D8C, 0xFF465064, 0xFF8C827D, 0xFF646E82];
        var lit = new SKColor(255, 228, 128);
        float x = -(float)rng.Uniform(0, 8);
        while (x < Units)
        {
            float w = (float)rng.Uniform(11, 20), top = (float)rng.Uniform(14, 52);
            c.DrawRect(x, top, w - 0.8f, Units - top, kit.Fill(new SKColor(walls[rng.Next(walls.Length)])));
            kit.Path.Reset();
            for (float wy = top + 3; wy < 88; wy += 5.5f)
                for (float wx = x + 2; wx + 2.4f < x + w - 2; wx += 4.5f)
                    if (rng.Next(4) != 0) kit.Path.AddRect(SKRect.Create(wx, wy, 2.4f, 3f));
            c.DrawPath(kit.Path, kit.Fill(lit));
            x += w;
        }
        c.DrawRect(0, 90, Units, 10, kit.Fill(new SKColor(66, 66, 72)));
    }

    private static void Forest(SKCanvas c, PaintKit kit, ref WorldRandom rng)
    {
        c.Clear(new SKColor(206, 234, 220));
        c.DrawOval(30, 74, 60, 16, kit.Fill(new SKColor(120, 170, 110)));
        c.DrawOval(85, 72, 45, 14, kit.Fill(new SKColor(110, 160, 100)));
        c.DrawRect(0, 72, Units, 28, kit.Fill(new SKColor(86, 158, 64)));
        var trunk = new SKColor(104, 70, 40);
        float x = (float)rng.Uniform(-4, 8);
        while (x < Units + 4)
        {
            float baseY = (float)rng.Uniform(70, 80), height = (float)rng.Uniform(36, 56);
            c.DrawRect(x - 1.6f, baseY - height * 0.45f, 3.2f, height * 0.45f, kit.Fill(trunk));
            if (rng.Next(2) == 0)
            {
                var pine = kit.Fill(new SKColor(28, (byte)rng.Uniform(96, 124), 48));
                for (int k = 0; k < 3; k++)
                {
                    float ty = baseY - height * (0.3f + 0.22f * k), half = 9f - 2.2f * k;
                    kit.Path.Reset();
                    kit.Path.MoveTo(x - half, ty);
                    kit.Path.LineTo(x + half, ty);
                    kit.Path.LineTo(x, ty - 14f);
                    kit.Path.Close();
                    c.DrawPath(kit.Path, pine);
                }
            }
            else
            {
                var leaf = kit.Fill(new SKColor(48, (byte)rng.Uniform(130, 156), 58));
                float cy = baseY - height * 0.7f;
                c.DrawCircle(x, cy, 8.5f, leaf);
                c.DrawCircle(x - 5.5f, cy + 4, 6f, leaf);
                c.DrawCircle(x + 5.5f, cy + 4, 6f, leaf);
            }
            x += (float)rng.Uniform(13, 20);
        }
    }

    private static void NightSky(SKCanvas c, PaintKit kit, ref WorldRandom rng)
    {
        var sky = new SKColor(14, 20, 54);
        c.Clear(sky);
        kit.Path.Reset();
        for (int i = 0; i < 34; i++)
            kit.Path.AddCircle((float)rng.Uniform(0, Units), (float)rng.Uniform(0, 80), (float)rng.Uniform(0.45, 0.95));
        c.DrawPath(kit.Path, kit.Fill(new SKColor(255, 250, 214)));
        float mx = rng.Next(2) == 0 ? (float)rng.Uniform(10, 24) : (float)rng.Uniform(76, 90), my = (float)rng.Uniform(10, 20);
        c.DrawCircle(mx, my, 7.5f, kit.Fill(new SKColor(250, 238, 176)));
        c.DrawCircle(mx + 3.6f, my - 2f, 6.6f, kit.Fill(sky));
        kit.Path.Reset();
        kit.Path.MoveTo(0, 86);
        kit.Path.QuadTo(25, 78, 50, 86);
        kit.Path.QuadTo(75, 80, Units, 84);
        kit.Path.LineTo(Units, Units);
        kit.Path.LineTo(0, Units);
        kit.Path.Close();
        c.DrawPath(kit.Path, kit.Fill(new SKColor(22, 34, 40)));
    }

    private static void Room(SKCanvas c, PaintKit kit, ref WorldRandom rng)
    {
        ReadOnlySpan<uint> walls = [0xFFEBDCBE, 0xFFC8DCD2, 0xFFD7CDE6, 0xFFF0CDB4, 0xFFDCE6F0];
        c.Clear(new SKColor(walls[rng.Next(walls.Length)]));
        float floor = (float)rng.Uniform(70, 78);
        c.DrawRect(0, floor, Units, Units - floor, kit.Fill(new SKColor(164, 112, 68)));
        var plank = kit.Stroke(new SKColor(128, 84, 48), 0.8f);
        for (float y = floor + 6; y < Units; y += 7) c.DrawLine(0, y, Units, y, plank);
        c.DrawRect(0, floor - 2, Units, 2, kit.Fill(new SKColor(248, 246, 240)));
        bool windowLeft = rng.Next(2) == 0;
        float wx = windowLeft ? (float)rng.Uniform(2, 10) : (float)rng.Uniform(68, 76), wy = (float)rng.Uniform(12, 22);
        c.DrawRect(wx - 1.5f, wy - 1.5f, 25, 29, kit.Fill(SKColors.White));
        c.DrawRect(wx, wy, 22, 26, kit.Fill(new SKColor(150, 204, 244)));
        var bar = kit.Stroke(SKColors.White, 1.5f);
        c.DrawLine(wx + 11, wy, wx + 11, wy + 26, bar);
        c.DrawLine(wx, wy + 13, wx + 22, wy + 13, bar);
        float px = windowLeft ? (float)rng.Uniform(76, 86) : (float)rng.Uniform(4, 12), py = (float)rng.Uniform(16, 30);
        c.DrawRect(px - 1.2f, py - 1.2f, 12.4f, 10.4f, kit.Fill(new SKColor(120, 80, 40)));
        c.DrawRect(px, py, 10, 8, kit.Fill(new SKColor(250, 240, 200)));
        c.DrawCircle(px + 5, py + 4, 2.4f, kit.Fill(new SKColor(230, 90, 70)));
    }
}
