using DiffusionLab.Data.World;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// Keyframe pairs of a chosen motion size on CharacterWorld, whose <see cref="CharacterWorld.RenderClip"/> is the ground
/// truth a transition should draw. The start is the person's image <c>imageIndex</c>; the end moves every pose factor
/// (yaw, roll, scale, horizontal and vertical placement) by <c>motion</c> times the span the world's own images draw it
/// from, away from the nearer edge of its range, and from motion 0.5 on changes the expression too. Motion 0 is a still
/// clip, 1 the largest change the world's images show.
/// </summary>
public static class KeyframePairs
{
    // The spans WorldSampler draws each pose factor from: yaw ±0.7, roll ±12°, scale 0.85–1.1, offset x ±8, y −4..5.
    private const double YawSpan = 1.4, RollSpan = 24, ScaleSpan = 0.25, OffsetXSpan = 16, OffsetYSpan = 9;

    /// <summary>The pair of identity <paramref name="identity"/> starting at its image <paramref name="imageIndex"/>, moved by <paramref name="motion"/>.</summary>
    public static KeyframePair Of(CharacterWorld world, int identity, int imageIndex, double motion)
    {
        ArgumentNullException.ThrowIfNull(world);
        if (!(motion >= 0 && motion <= 1)) throw new ArgumentOutOfRangeException(nameof(motion), $"motion {motion}: expected 0..1");
        var start = world.Factors(identity, imageIndex);
        var end = start with
        {
            Yaw = Away(start.Yaw, motion * YawSpan, -1, 1),
            Roll = Away(start.Roll, motion * RollSpan, -20, 20),
            Scale = Away(start.Scale, motion * ScaleSpan, 0.7, 1.25),
            OffsetX = Away(start.OffsetX, motion * OffsetXSpan, -15, 15),
            OffsetY = Away(start.OffsetY, motion * OffsetYSpan, -10, 10),
            Expression = motion >= 0.5 ? Next(start.Expression, imageIndex) : start.Expression,
        };
        return new KeyframePair(identity, start, end, motion);
    }

    /// <summary>The pair's clip of <paramref name="frames"/> frames (the keyframes are its first and last).</summary>
    public static IReadOnlyList<CharacterImage> Render(CharacterWorld world, KeyframePair pair, int frames) =>
        world.RenderClip(pair.Identity, pair.Start, pair.End, frames);

    /// <summary>value moved by delta towards the farther end of [low, high], kept inside it.</summary>
    private static double Away(double value, double delta, double low, double high) =>
        Math.Clamp(value - low >= high - value ? value - delta : value + delta, low, high);

    /// <summary>Another expression, chosen by the image index so pairs of one person differ.</summary>
    private static Expression Next(Expression e, int imageIndex)
    {
        int count = Enum.GetValues<Expression>().Length;
        return (Expression)(((int)e + 1 + imageIndex % (count - 1)) % count);
    }
}
