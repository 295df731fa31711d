using DiffusionLab.Data.World;
using DiffusionLab.Evaluation;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Evaluation;

public class LaplacianSharpnessTests
{
    [Fact]
    public void BlurAndLowResolutionLowerItAndAFlatImageHasNone()
    {
        using var world = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 2, HeldOutIdentities = 1, ImagesPerIdentity = 4 });
        using var clean = CharacterImage.Stack(world.RenderReferences(2, -1, 3));
        using var blurred = CharacterImage.Stack(world.RenderReferences(2, -1, 3, degradation: new ImageDegradation(BlurSigma: 1.5)));
        using var lowres = CharacterImage.Stack(world.RenderReferences(2, -1, 3, degradation: new ImageDegradation(DownsampleFactor: 4)));
        double sharp = LaplacianSharpness.Mean(clean);
        Assert.True(LaplacianSharpness.Mean(blurred) < 0.5 * sharp);
        Assert.True(LaplacianSharpness.Mean(lowres) < 0.5 * sharp);
        using var flat = zeros(2, 3, 8, 8);
        Assert.Equal(0.0, LaplacianSharpness.Mean(flat));
        // One bright pixel on black: the Laplacian is −4·255 there and 255 at its 4 neighbours, in a 6×6 interior.
        using var dot = full(1, 3, 8, 8, -1.0f);
        dot[0, .., 4, 4] = tensor(1.0f);
        double[] l = [-4 * 255.0, 255, 255, 255, 255];
        double mean = l.Sum() / 36, expected = l.Sum(v => v * v) / 36 - mean * mean;
        Assert.Equal(expected, LaplacianSharpness.Mean(dot), 6);
        Assert.Throws<ArgumentException>(() => LaplacianSharpness.Mean(zeros(1, 1, 8, 8)));
    }
}
