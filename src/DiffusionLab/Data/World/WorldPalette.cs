using SkiaSharp;

namespace DiffusionLab.Data.World;

/// <summary>The colours of CharacterWorld, chosen to stay apart at 64×64 pixels.</summary>
internal static class WorldPalette
{
    public static SKColor Skin(SkinTone tone) => tone switch
    {
        SkinTone.Porcelain => new(255, 228, 212),
        SkinTone.Fair => new(247, 208, 180),
        SkinTone.Light => new(234, 190, 150),
        SkinTone.Beige => new(220, 168, 122),
        SkinTone.Olive => new(196, 148, 98),
        SkinTone.Tan => new(172, 118, 76),
        SkinTone.Brown => new(130, 86, 54),
        _ => new(88, 56, 38),
    };

    public static SKColor Hair(HairColor color) => color switch
    {
        HairColor.Black => new(28, 26, 30),
        HairColor.DarkBrown => new(72, 44, 26),
        HairColor.Brown => new(125, 80, 40),
        HairColor.Auburn => new(150, 48, 28),
        HairColor.Ginger => new(222, 116, 36),
        HairColor.Blonde => new(240, 206, 108),
        HairColor.Gray => new(176, 176, 180),
        _ => new(56, 104, 222),
    };

    public static SKColor Eye(EyeColor color) => color switch
    {
        EyeColor.Brown => new(112, 60, 22),
        EyeColor.Blue => new(40, 110, 225),
        EyeColor.Green => new(30, 155, 70),
        EyeColor.Gray => new(118, 130, 142),
        EyeColor.Hazel => new(160, 125, 40),
        _ => new(140, 60, 200),
    };

    public static SKColor Clothing(ClothingColor color) => color switch
    {
        ClothingColor.Red => new(218, 36, 36),
        ClothingColor.Orange => new(248, 132, 16),
        ClothingColor.Yellow => new(248, 214, 36),
        ClothingColor.Green => new(36, 164, 60),
        ClothingColor.Blue => new(36, 86, 224),
        ClothingColor.Purple => new(132, 48, 184),
        ClothingColor.Pink => new(248, 122, 186),
        _ => new(34, 34, 40),
    };

    /// <summary>Flat colours of the Plain background: light pastels, unlike any shirt.</summary>
    public static SKColor Plain(int index) => (index % 6) switch
    {
        0 => new(204, 226, 246),
        1 => new(224, 240, 210),
        2 => new(246, 232, 204),
        3 => new(234, 222, 246),
        4 => new(246, 218, 214),
        _ => new(226, 226, 226),
    };

    /// <summary>ITU-R 601 luma, 0–255.</summary>
    public static float Luma(SKColor c) => 0.299f * c.Red + 0.587f * c.Green + 0.114f * c.Blue;

    public static SKColor Shade(SKColor c, float factor) => new(
        (byte)Math.Clamp(c.Red * factor, 0, 255), (byte)Math.Clamp(c.Green * factor, 0, 255), (byte)Math.Clamp(c.Blue * factor, 0, 255), c.Alpha);

    public static SKColor Mix(SKColor a, SKColor b, float t) => new(
        (byte)(a.Red + (b.Red - a.Red) * t), (byte)(a.Green + (b.Green - a.Green) * t), (byte)(a.Blue + (b.Blue - a.Blue) * t), 255);
}
