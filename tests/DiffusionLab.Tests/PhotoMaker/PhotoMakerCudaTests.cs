using DiffusionLab.PhotoMaker;
using TorchSharp;
using static TorchSharp.torch;
using static DiffusionLab.Tests.PhotoMaker.PhotoMakerFixtures;

namespace DiffusionLab.Tests.PhotoMaker;

/// <summary>PhotoMaker on a CUDA device matches the CPU; skipped where there is none.</summary>
public class PhotoMakerCudaTests
{
    [CudaFact]
    public void ConditioningAndGenerationMatchTheCpuOnCuda()
    {
        using var cpu = new PhotoMakerPipeline(Model(), Tokenizer, Betas, ownsModel: true);
        var backbone = Backbone();
        backbone.to(CUDA);
        using var cudaModel = new PhotoMakerModel(backbone, Config, new Generator(7, CPU));
        using (no_grad()) cudaModel.LoadTrainedWeights(cpu.Model.TrainedWeights(), "cpu model");
        using var cuda = new PhotoMakerPipeline(cudaModel, Tokenizer, Betas);
        using var refs = new ReferenceStack(Images(3, 1));
        var sampling = new PhotoMakerSampling { Steps = 4 };
        var a = cpu.Generate("a photo of a man img wearing a crown", refs, [1, 2], sampling);
        var b = cuda.Generate("a photo of a man img wearing a crown", refs, [1, 2], sampling);
        Assert.True(b.device_type == DeviceType.CUDA);
        Assert.True(a.allclose(b.cpu(), rtol: 1e-3, atol: 1e-3));
    }
}
