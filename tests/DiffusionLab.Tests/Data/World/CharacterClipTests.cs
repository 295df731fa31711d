using DiffusionLab.Data.World;

namespace DiffusionLab.Tests.Data.World;

public sealed class CharacterClipTests : IDisposable
{
    private readonly CharacterWorld _world = new(new CharacterWorldConfig { TrainIdentities = 10, HeldOutIdentities = 0 });

    public void Dispose() => _world.Dispose();

    [Fact]
    public void Clip_runs_smoothly_from_one_keyframe_to_the_other()
    {
        var start = _world.Factors(3, 0) with { Expression = Expression.Neutral, Yaw = -0.5, Roll = -8, Scale = 0.9, OffsetX = -5 };
        var end = start with { Expression = Expression.Surprised, Yaw = 0.5, Roll = 8, Scale = 1.05, OffsetX = 5, CaptionVariant = 3 };
        var clip = _world.RenderClip(3, start, end, 12);
        Assert.Equal(12, clip.Count);
        var first = _world.Render(3, start);
        var last = _world.Render(3, end);
        Assert.Equal(first.Pixels, clip[0].Pixels);
        Assert.Equal(first.Mask, clip[0].Mask);
        Assert.Equal(first.Caption, clip[0].Caption);
        Assert.Equal(last.Pixels, clip[^1].Pixels);
        Assert.Equal(last.Caption, clip[^1].Caption);

        double endToEnd = WorldImages.MeanAbsDifference(clip[0].Pixels, clip[^1].Pixels);
        for (int i = 1; i < clip.Count; i++)
        {
            double step = WorldImages.MeanAbsDifference(clip[i - 1].Pixels, clip[i].Pixels);
            Assert.True(step < endToEnd * 0.6, $"frame {i - 1} -> {i}: {step:F2} vs first -> last {endToEnd:F2}");
        }
        // Ease in and out: the middle steps move more than the first and last.
        double Move(int i) => Math.Abs(clip[i].Factors.Yaw - clip[i - 1].Factors.Yaw);
        Assert.True(Move(6) > 2 * Move(1) && Move(6) > 2 * Move(11));
        Assert.All(clip, f => Assert.Equal(start.Background, f.Factors.Background));
        Assert.Equal(clip.Select(f => f.Face.MouthOpen).Order(), clip.Select(f => f.Face.MouthOpen));
    }

    [Fact]
    public void Clip_keyframes_must_share_the_scene()
    {
        var start = _world.Factors(1, 0);
        var e = Assert.Throws<ArgumentException>(() => _world.RenderClip(1, start, start with { Clothing = start.Clothing == ClothingColor.Red ? ClothingColor.Blue : ClothingColor.Red }, 8));
        Assert.Contains("clothing", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => _world.RenderClip(1, start, start, 1));
    }
}
