package com.example.demo;

import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class HelloController {

    @GetMapping("/")
    public Map<String, String> hello(@RequestParam(defaultValue = "Docker") String name) {
        return Map.of("message", "Hello, " + name + "!");
    }

    @GetMapping("/healthz")
    public String healthz() {
        return "ok";
    }
}
