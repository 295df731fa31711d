using DiffusionLab.Data.World;
using DiffusionLab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// Contrastive pre-training of the ID encoder's image path (vision model and projection) on the training people,
/// before the diffusion stage. PhotoMaker starts its encoder from CLIP ViT-L/14 (photomaker.md §1.1), whose features
/// already tell faces apart; ours starts from random weights, and the diffusion loss alone left it at chance on
/// held-out people (<see cref="IdEncoderProbe"/>: rank-1 1.5 % against 1 % after 2,000 steps). This stands in for
/// CLIP's pre-training with what CharacterWorld has: two different images of one person are a positive pair, the
/// other people of the batch negatives (InfoNCE, both directions, as CLIP's loss with images on both sides). The
/// images are prepared as the stage's references are (background noised when <see cref="PhotoMakerConfig.NoiseBackground"/>),
/// so the encoder learns the person and not the scene. The evaluator networks are not involved.
/// </summary>
public static class IdEncoderPretraining
{
    /// <summary>
    /// Runs <see cref="PhotoMakerConfig.EncoderPretrainSteps"/> steps of <see cref="PhotoMakerConfig.EncoderPretrainPeople"/>
    /// people each, drawing people and image pairs from <paramref name="generator"/>; <paramref name="log"/> gets
    /// (step, loss, in-batch pair accuracy) every <paramref name="logEvery"/> steps.
    /// </summary>
    public static void Run(StackedIdEncoder encoder, CharacterWorldDataset people, PhotoMakerConfig config, Generator generator,
        Action<int, double, double>? log = null, int logEvery = 50)
    {
        int batch = config.EncoderPretrainPeople;
        if (people.IdentityCount < batch) throw new ArgumentException($"encoder pre-training: {batch} people per batch, but the training split has {people.IdentityCount}");
        if (people.ImagesPerIdentity < 2) throw new ArgumentException("encoder pre-training: needs at least 2 images per person");
        var device = encoder.parameters().First().device;
        var parameters = encoder.ImageParameters().ToList();
        using var optimizer = optim.AdamW(parameters, config.EncoderPretrainLearningRate, weight_decay: 0.0);
        encoder.train();
        double lossSum = 0, accuracySum = 0;
        int counted = 0;
        for (int step = 1; step <= config.EncoderPretrainSteps; step++)
        {
            using var scope = NewDisposeScope();
            var chosen = randperm(people.IdentityCount, generator: generator).narrow(0, 0, batch).data<long>().ToArray();
            var first = new List<CharacterImage>(batch);
            var second = new List<CharacterImage>(batch);
            foreach (long p in chosen)
            {
                int identity = people.FirstIdentity + (int)p;
                var pair = randperm(people.ImagesPerIdentity, generator: generator).narrow(0, 0, 2).data<long>().ToArray();
                first.Add(people.Get(people.IndexOf(identity, (int)pair[0])));
                second.Add(people.Get(people.IndexOf(identity, (int)pair[1])));
            }
            var a = Prepare(first, config, generator).to(device);                                  // (P, 3, H, W)
            var b = Prepare(second, config, generator).to(device);                                 // (P, 3, H, W)
            var za = nn.functional.normalize(encoder.EmbedImages(a), dim: 1);                       // (P, D)
            var zb = nn.functional.normalize(encoder.EmbedImages(b), dim: 1);                       // (P, D)
            var logits = za.matmul(zb.T) / config.EncoderPretrainTemperature;                      // (P, P)
            var target = arange(batch, device: device);
            var loss = (nn.functional.cross_entropy(logits, target) + nn.functional.cross_entropy(logits.T, target)) / 2;
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            lossSum += loss.item<float>();
            accuracySum += logits.argmax(1).eq(target).to(ScalarType.Float32).mean().item<float>();
            counted++;
            if (step % logEvery == 0 || step == config.EncoderPretrainSteps)
            {
                log?.Invoke(step, lossSum / counted, accuracySum / counted);
                lossSum = accuracySum = 0;
                counted = 0;
            }
        }
        optimizer.zero_grad();
    }

    private static Tensor Prepare(List<CharacterImage> images, PhotoMakerConfig config, Generator generator)
    {
        var pixels = CharacterImage.Stack(images);                                                 // (P, 3, H, W)
        if (!config.NoiseBackground) return pixels;
        var masks = stack(images.Select(i => i.MaskTensor()).ToArray());                         // (P, 1, H, W)
        return ReferenceMasking.FillOutsideMask(pixels, masks, generator);
    }
}
