using DiffusionLab.Data.World;

namespace DiffusionLab.Tests.Data.World;

public sealed class CharacterMaskTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(128)]
    public void Mask_covers_the_person_and_nothing_else_on_a_plain_background(int size)
    {
        using var world = new CharacterWorld(new CharacterWorldConfig { ImageSize = size, TrainIdentities = 100, HeldOutIdentities = 0 });
        for (int identity = 0; identity < 100; identity += 3)
        {
            var factors = world.Factors(identity, identity) with { Background = BackgroundScene.Plain };
            var image = world.Render(identity, factors);
            Assert.InRange(image.MaskFraction, 0.15, 0.7);
            var on = image.Mask.Select(m => m != 0).ToArray();
            var inside = WorldImages.Erode(on, size);
            var p = image.Pixels;
            // The background colour: the corner is never covered by the person.
            Assert.False(on[0]);
            (byte r, byte g, byte b) = (p[0], p[1], p[2]);
            int inPerson = 0, inPersonUnlikeBackground = 0;
            for (int i = 0; i < on.Length; i++)
            {
                bool isBackground = p[3 * i] == r && p[3 * i + 1] == g && p[3 * i + 2] == b;
                if (!on[i]) Assert.True(isBackground, $"identity {identity}: pixel ({i % size},{i / size}) outside the mask is not background");
                if (inside[i])
                {
                    inPerson++;
                    if (!isBackground) inPersonUnlikeBackground++;
                }
            }
            Assert.True(inPersonUnlikeBackground >= 0.98 * inPerson, $"identity {identity}: {inPerson - inPersonUnlikeBackground} of {inPerson} person pixels look like background");
        }
    }

    [Fact]
    public void Mask_ignores_the_background_and_follows_the_headwear()
    {
        using var world = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 10, HeldOutIdentities = 0 });
        var plain = world.Render(1, new ImageFactors { Background = BackgroundScene.Plain });
        var city = world.Render(1, new ImageFactors { Background = BackgroundScene.City });
        Assert.Equal(plain.Mask, city.Mask);
        Assert.NotEqual(plain.Pixels, city.Pixels);
        var hat = world.Render(1, new ImageFactors { Headwear = Headwear.TopHat });
        Assert.True(hat.MaskFraction > plain.MaskFraction + 0.01);
        using var mask = hat.MaskTensor();
        Assert.Equal(new long[] { 1, 64, 64 }, mask.shape);
        Assert.Equal(hat.MaskFraction, mask.mean().item<float>(), 5);
    }
}
