#:project ../src/DiffusionLab/DiffusionLab.csproj
// Trains the MNIST judge once and writes its weights. Usage (from the repository root):
//   dotnet run tools/train_mnist_classifier.cs -- SEED EPOCHS OUT.safetensors
// The committed weights and the command that made them: src/DiffusionLab/Evaluation/Resources/README.md.
using DiffusionLab.Data;
using DiffusionLab.Evaluation;

if (args.Length != 3) { Console.Error.WriteLine("usage: train_mnist_classifier.cs SEED EPOCHS OUT.safetensors"); return 2; }
int seed = int.Parse(args[0]), epochs = int.Parse(args[1]);
var clock = System.Diagnostics.Stopwatch.StartNew();
using var train = Mnist10k.Load(MnistSplit.Train);
using var test = Mnist10k.Load(MnistSplit.Test);
using var model = MnistClassifierTraining.Train(train, seed, epochs, log: Console.WriteLine);
double trainAccuracy = MnistClassifierTraining.Accuracy(model, train);
double testAccuracy = MnistClassifierTraining.Accuracy(model, test);
model.SaveWeights(args[2]);
Console.WriteLine($"seed {seed}, epochs {epochs}: train accuracy {trainAccuracy:P2}, test accuracy {testAccuracy:P2} ({testAccuracy * test.Count:F0}/{test.Count}), {clock.Elapsed.TotalSeconds:F0} s, wrote {args[2]}");
return 0;
