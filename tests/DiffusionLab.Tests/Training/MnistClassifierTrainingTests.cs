using DiffusionLab.Data;
using DiffusionLab.Evaluation;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Training;

public class MnistClassifierTrainingTests
{
    [Fact]
    public void Training_depends_on_the_seed_alone()
    {
        using var subset = Subset(stride: 40); // 200 digits, 3 steps of 64
        using var a = MnistClassifierTraining.Train(subset, seed: 4, epochs: 1);
        using var b = MnistClassifierTraining.Train(subset, seed: 4, epochs: 1);
        using var c = MnistClassifierTraining.Train(subset, seed: 5, epochs: 1);
        foreach (var (name, weight) in a.state_dict())
        {
            Assert.True(weight.equal(b.state_dict()[name]).all().item<bool>(), $"{name} differs between two runs with seed 4");
            Assert.False(weight.equal(c.state_dict()[name]).all().item<bool>(), $"{name} is the same for seeds 4 and 5");
        }
    }

    [Fact]
    public void Weights_round_trip_through_safetensors()
    {
        string path = Path.Combine(Path.GetTempPath(), $"difflab-clf-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var model = new MnistClassifier();
            model.ResetParameters(new Generator(1));
            model.SaveWeights(path);
            using var loaded = new MnistClassifier();
            loaded.LoadWeights(path);
            Assert.Equal(new[] { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight", "conv3.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" },
                loaded.state_dict().Keys);
            using var x = torch.rand(new long[] { 3, 1, 32, 32 }, generator: new Generator(2));
            using var features = loaded.Features(x);
            Assert.Equal(new long[] { 3, MnistClassifier.FeatureSize }, features.shape);
            Assert.True(loaded.forward(x).equal(model.forward(x)).all().item<bool>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static LabeledImages Subset(int stride)
    {
        using var train = Mnist10k.Load(MnistSplit.Train);
        using var index = torch.arange(0, train.Count, stride, ScalarType.Int64);
        return new LabeledImages(train.Images.index_select(0, index), train.Labels.index_select(0, index), train.NumClasses, train.ClassNames);
    }
}
