clgan train-detector --data WORK/scenes200-s1 --model det64 --augment --steps 600 --eval-every 25 --gan-augment WORK/det-cgan-s1/checkpoint.ckpt --seed 1 --out WORK/det200-gan-s1 --json
