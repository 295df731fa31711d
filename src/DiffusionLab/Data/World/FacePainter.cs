using SkiaSharp;
using static DiffusionLab.Data.World.WorldPalette;

namespace DiffusionLab.Data.World;

/// <summary>
/// Paints the face inside the head outline (colour pass only), in layers: marks on the skin, brows,
/// eyes, noses, facial hair, mouths, glasses. The expression moves brows, eyelids and mouth; the
/// face-part counts decide how many eyes, noses and mouths are drawn.
/// </summary>
internal static class FacePainter
{
    public static void Draw(SKCanvas c, PaintKit kit, in CharacterScene s, HeadFrame f, SKColor skin, SKColor hair)
    {
        var t = s.Traits;
        var e = s.Face;
        var l = FaceLayout.For(t, f);
        float dx = f.Dx, yaw = f.Yaw;

        MarkPainter.DrawOnSkin(c, kit, t, f, skin);

        // Brows stay with the two normal eye positions whatever the eye count, so only the eyes differ.
        var browColor = t.HairStyle == HairStyle.Bald || t.HairColor is HairColor.Blonde or HairColor.Gray
            ? Shade(hair, 0.65f) : Shade(hair, 0.85f);
        var brow = kit.Stroke(browColor, t.IsFemale ? 1.3f : 1.9f);
        float browY = l.EyeY - l.EyeRy - 2.6f - (float)e.BrowRaise * 2.6f;
        float inner = (float)e.BrowTilt * 1.8f, outer = (float)e.BrowTilt * 0.6f;
        c.DrawLine(l.LeftX + 3f, browY - inner, l.LeftX - l.LeftW - 0.4f, browY + outer, brow);
        c.DrawLine(l.RightX - 3f, browY - inner, l.RightX + l.RightW + 0.4f, browY + outer, brow);

        var eyeColor = Eye(t.EyeColor);
        float open = (float)e.EyeOpen;
        if (s.Parts.Eyes >= 1) EyePainter.Draw(c, kit, l.LeftX, l.EyeY, l.LeftW, l.EyeRy * open, eyeColor, dx, t.IsFemale, -1f);
        if (s.Parts.Eyes >= 2) EyePainter.Draw(c, kit, l.RightX, l.EyeY, l.RightW, l.EyeRy * open, eyeColor, dx, t.IsFemale, 1f);
        if (s.Parts.Eyes >= 3) EyePainter.Draw(c, kit, dx * 0.9f, -9.5f, l.EyeRx * 0.75f, l.EyeRy * 0.75f * open, eyeColor, dx, false, 0f);

        bool darkSkin = Luma(skin) < 110;
        var noseColor = Shade(skin, darkSkin ? 0.45f : 0.7f);
        if (s.Parts.Noses >= 1) NosePainter.Draw(c, kit, t.NoseShape, dx * 1.3f, l.NoseY, noseColor, yaw);
        if (s.Parts.Noses >= 2) NosePainter.Draw(c, kit, t.NoseShape, -10.5f + dx, l.NoseY + 3f, noseColor, yaw);

        MarkPainter.DrawFacialHair(c, kit, t, f, l, hair, skin);

        float lip = t.MouthShape == MouthShape.Full ? 2.0f : 1.3f;
        var lipColor = t.IsFemale ? new SKColor(196, 52, 74)
            : darkSkin ? new SKColor(186, 96, 92) : Mix(Shade(skin, 0.5f), new SKColor(140, 40, 40), 0.5f);
        if (s.Parts.Mouths >= 1) MouthPainter.Draw(c, kit, dx, l.MouthY, l.MouthHalf, lip, lipColor, e, yaw, 1f);
        if (s.Parts.Mouths >= 2) MouthPainter.Draw(c, kit, 12f + dx, l.NoseY, l.MouthHalf, lip, lipColor, e, yaw, 0.65f);

        if (t.Mark == DistinctiveMark.Glasses) MarkPainter.DrawGlasses(c, kit, f, l);
    }
}
